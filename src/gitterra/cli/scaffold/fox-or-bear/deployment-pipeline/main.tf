# The pipeline as code: a CodeBuild project that runs buildspec.yaml from this repository on
# the gitterra server, a webhook with the two filter groups of the seed, and the IAM role the
# project's builds act as (on AWS; the local cloud records the role and policy, and does not
# enforce them). Apply it once, from your machine (`gitterra init && gitterra apply`); its
# state stays in this directory. On AWS (GITTERRA_TARGET=aws), set source_type and repository
# to a forge CodeBuild knows: see docs/aws.md.
terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

provider "aws" {
  region = var.region
}

variable "project_name" {
  type    = string
  default = "@@NAME@@"
}

variable "region" {
  type    = string
  default = "eu-west-3"
}

variable "source_type" {
  description = "GITTERRA (the gitterra server's git host); on AWS, GITHUB, GITLAB, BITBUCKET or CODECOMMIT."
  type        = string
  default     = "GITTERRA"
}

variable "repository" {
  description = "The repository: on the git host its name or clone URL; elsewhere its HTTPS URL."
  type        = string
  default     = "@@NAME@@"
}

# The role builds act as: CodeBuild may assume it, and it may write the build's logs and manage
# what infra/ declares.
resource "aws_iam_role" "codebuild" {
  name = "${var.project_name}-codebuild"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "codebuild.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "codebuild" {
  name = "${var.project_name}-codebuild"
  role = aws_iam_role.codebuild.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "*"
      },
      {
        Effect   = "Allow"
        Action   = ["ec2:*", "autoscaling:*", "elasticloadbalancing:*", "iam:CreateServiceLinkedRole"]
        Resource = "*"
      },
    ]
  })
}

resource "aws_codebuild_project" "codebuild" {
  # Builds need the role's permissions, not only the role.
  depends_on = [aws_iam_role_policy.codebuild]

  name          = var.project_name
  description   = "Plan and apply infra/ on every push to main; plan pull requests to main."
  build_timeout = 30
  service_role  = aws_iam_role.codebuild.arn

  source {
    type                = var.source_type
    location            = var.repository
    buildspec           = "buildspec.yaml"
    report_build_status = true
  }

  source_version = "main"

  artifacts {
    type = "NO_ARTIFACTS"
  }

  environment {
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = "aws/codebuild/amazonlinux2-x86_64-standard:3.0"
    type         = "LINUX_CONTAINER"
  }

  logs_config {
    cloudwatch_logs {
      group_name  = "${var.project_name}-log-group"
      stream_name = var.project_name
    }
  }
}

resource "aws_codebuild_webhook" "webhook" {
  project_name = aws_codebuild_project.codebuild.name

  filter_group {
    filter {
      type    = "EVENT"
      pattern = "PUSH"
    }

    filter {
      type    = "HEAD_REF"
      pattern = "^refs/heads/main$"
    }
  }

  filter_group {
    filter {
      type    = "EVENT"
      pattern = "PULL_REQUEST_CREATED,PULL_REQUEST_UPDATED,PULL_REQUEST_REOPENED"
    }

    filter {
      type    = "BASE_REF"
      pattern = "^refs/heads/main$"
    }
  }
}

output "project" {
  value = aws_codebuild_project.codebuild.name
}
