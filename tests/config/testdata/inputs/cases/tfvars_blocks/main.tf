variable "region" {
  default = "eu"
}
variable "ok" {
  default = 0
}
