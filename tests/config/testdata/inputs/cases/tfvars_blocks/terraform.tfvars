variable "region" {
  default = "us"
}

locals {
  a = 1
}

ok = 1
