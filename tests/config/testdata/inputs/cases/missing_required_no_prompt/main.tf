variable "region" {
  type = string
}

variable "zones" {
  type = list(string)
}

variable "optional" {
  default = "x"
}
