module "child" {
  source  = "./child"
  unknown = 1
}

module "registry" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.0.0"
}

module "missing_dir" {
  source = "./nope"
}
