# Each variable is named after the highest-precedence source that sets it: every source sets
# the variables of its own level and of all levels above it, so each one overrides the one
# before it.
variable "env" {}
variable "tfvars" {}
variable "tfvars_json" {}
variable "auto_a" {}
variable "auto_b" {}
variable "auto_c" {}
variable "var_file" {}
variable "var" {}

variable "untouched" {
  default = "the default"
}
