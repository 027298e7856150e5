variable "n" {
  type    = number
  default = "eighty"
}

variable "l" {
  type    = list(strin)
  default = []
}

variable "o" {
  type = object({ a = string })
  default = {
    b = "x"
  }
}

locals {
  a = abs("x")
  b = upper(1, 2)
  c = nope(1)
  d = 1 + "one"
  e = [for x in 5 : x]
  f = { for s in ["a", "a"] : s => 1 }
  g = "${[1, 2]}-suffix"
}
