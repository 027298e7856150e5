variable "a" {
  default = null
}
variable "b" {
  default = null
}
variable "c" {
  default = null
}
variable "d" {
  type    = list(number)
  default = []
}
variable "e" {
  type    = any
  default = null
}
