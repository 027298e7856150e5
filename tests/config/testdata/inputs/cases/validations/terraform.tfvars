port = 80
max  = 5
env  = "staging"
