locals {
  a = local.b + 1
  b = local.c * 2
  c = local.a
  d = local.a
  ok = 1
}

output "ok" {
  value = local.ok
}
