variable "required" {
  type = string
}

variable "optional" {
  type    = string
  default = "x"
}
