variable "ok" {}

locals {
  broken = (1 + 2
}
