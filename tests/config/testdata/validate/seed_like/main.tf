terraform {
  required_version = ">= 1.5"
  backend "http" {}
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  type    = string
  default = "eu-west-3"
}

variable "desired_capacity" {
  type        = number
  default     = 1
  description = "How many web servers to run."

  validation {
    condition     = var.desired_capacity >= 1 && var.desired_capacity <= 3
    error_message = "The group runs between 1 and 3 instances."
  }
}

variable "git_sha" {
  type = string
}

variable "tags" {
  type = object({
    project = string
    owner   = optional(string, "ops")
  })
  default = { project = "gitops-terraform" }
}

locals {
  project_name = "gitops-terraform"
  user_data = templatefile("${path.module}/user-data.sh.tpl", {
    sha = var.git_sha
  })
  ports = { http = 80, https = 443 }
}

data "aws_ami" "latest_amazon_linux" {
  most_recent = true
  owners      = ["amazon"]

  filter {
    name   = "name"
    values = ["amzn2-ami-hvm-*-x86_64-ebs"]
  }
}

resource "aws_security_group" "web" {
  name = "${local.project_name}-sg"

  dynamic "ingress" {
    for_each = local.ports
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
      description = "allow ${ingress.key}"
    }
  }
}

resource "aws_launch_template" "web" {
  name_prefix   = local.project_name
  image_id      = data.aws_ami.latest_amazon_linux.id
  instance_type = "t2.micro"
  user_data     = base64encode(local.user_data)

  vpc_security_group_ids = [aws_security_group.web.id]

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_autoscaling_group" "web" {
  name             = local.project_name
  min_size         = 1
  max_size         = 3
  desired_capacity = var.desired_capacity

  launch_template {
    id      = aws_launch_template.web.id
    version = aws_launch_template.web.latest_version
  }

  lifecycle {
    ignore_changes = [tag, load_balancers]
  }
}

resource "terraform_data" "marker" {
  count = var.desired_capacity
  input = "instance ${count.index} of ${local.project_name}"

  provisioner "local-exec" {
    command = "echo ${self.output}"
    when    = create
  }
}

resource "terraform_data" "per_port" {
  for_each = local.ports
  input    = "${each.key}:${each.value}"
}

module "web" {
  source = "./modules/web"
  name   = local.project_name
  count  = 1
}

output "url" {
  value       = "http://${module.web[0].hostname}"
  description = "Where the site answers."
}

output "markers" {
  value     = terraform_data.marker[*].output
  sensitive = true
}
