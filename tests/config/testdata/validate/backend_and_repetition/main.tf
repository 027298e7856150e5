variable "bucket" {
  type    = string
  default = "b"
}

terraform {
  backend "s3" {
    bucket = var.bucket
  }
}

resource "terraform_data" "neg" {
  count = -1
}

resource "terraform_data" "frac" {
  count = 1.5
}

resource "terraform_data" "str" {
  count = "many"
}

resource "terraform_data" "list" {
  for_each = ["a", "b"]
}

resource "terraform_data" "nums" {
  for_each = toset([1, 2])
}

resource "terraform_data" "ok" {
  for_each = { a = 1 }
  input    = each.value
}
