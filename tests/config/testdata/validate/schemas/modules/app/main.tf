resource "null_resource" "inner" {
  trigger = { a = "b" }
}
