variable "a" {
  default = "d"
}
