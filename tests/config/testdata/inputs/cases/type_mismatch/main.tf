variable "n" {
  type = number
}

variable "l" {
  type = list(string)
}

variable "m" {
  type = map(number)
}

variable "o" {
  type = object({ name = string })
}

variable "secret" {
  type      = number
  sensitive = true
}

variable "flag" {
  type = bool
}
