# Provider schema problems: validate finds them without contacting anything.
variable "names" {
  type = list(string)
}

resource "random_pet" "ok" {
  count  = length(var.names)
  prefix = var.names[count.index] # unknown while validating: not judged
  length = 2
}

resource "random_pett" "typo" {}

resource "random_id" "bad" {
  byte_lenght = 4
}

resource "local_file" "missing" {
  content = "no filename"
}

resource "random_integer" "types" {
  min = "one"
  max = 10
}

resource "terraform_data" "ignored" {
  input = 1
  lifecycle {
    ignore_changes = [inptu]
  }
}

data "local_file" "read" {
  filename = "x"
  extra    = true
}

module "app" {
  source = "./modules/app"
}
