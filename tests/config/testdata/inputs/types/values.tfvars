s        = 42
n        = "7"
b        = "true"
untyped  = [1, 2]
l        = ["a", 1, true]
m        = { a = 1, b = "2" }
st       = ["b", "a", "b"]
o        = { name = "web", tags = ["x"] }
services = [{ name = "api" }, { name = "db", replicas = 3 }]
secret   = "s3cret"
anything = { k = [1, "two"] }
t        = ["z", "9"]
