port = 8080
max  = 10
