variable "name" {
  type = string
}

output "hostname" {
  value = "${var.name}.localhost"
}
