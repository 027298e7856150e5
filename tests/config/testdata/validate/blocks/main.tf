variable "port" {
  type    = number
  default = 80
  secret  = true
}

variable "port" {}

variable "count" {}

output "o" {
  description = "no value"
}

resource "terraform_data" {
}

resource "terraform_data" "x" {
  count    = 2
  for_each = toset(["a"])

  lifecycle {
    create_before_destroy = "maybe"
    prevent_destroy       = var.port > 1
  }

  provisioner "remote-exec" {
    inline = ["true"]
  }
}

resource "terraform_data" "x" {}

resource "terraform_data" "2bad" {}

locals {
  a = 1
}

locals {
  a = 2
}

check "health" {}
