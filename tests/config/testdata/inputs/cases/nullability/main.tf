variable "a" {
  type     = string
  nullable = false
}

# Not nullable, with a default: null means the default.
variable "b" {
  type     = string
  nullable = false
  default  = "dflt"
}

# Nullable (the default): null stays null even with a default.
variable "c" {
  type    = string
  default = "x"
}

variable "d" {
  type     = list(string)
  nullable = false
}
