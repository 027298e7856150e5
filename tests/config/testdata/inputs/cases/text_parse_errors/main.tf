variable "l" {
  type = list(number)
}

variable "m" {
  type = map(string)
}

variable "sl" {
  type      = list(string)
  sensitive = true
}
