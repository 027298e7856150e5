variable "a" {}
variable "b" {
  default = null
}
