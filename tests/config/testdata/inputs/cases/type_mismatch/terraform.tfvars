n      = "abc"
o      = {}
secret = "not a number"
