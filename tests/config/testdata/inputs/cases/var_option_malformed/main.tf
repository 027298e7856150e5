variable "x" {
  default = 0
}
