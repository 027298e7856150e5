variable "name" {
  type = string
}

locals {
  a = var.nmae
  b = local.missing
  c = aws_lb.web.dns_name
  d = data.aws_ami.nope.id
  e = module.absent.out
  f = count.index
  g = each.key
  h = self.id
  i = path.nowhere
  j = terraform.version
  k = aws_lb
  l = var
}

resource "terraform_data" "x" {
  input = each.value
}
