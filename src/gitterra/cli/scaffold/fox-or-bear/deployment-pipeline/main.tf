# The pipeline as code: a CodeBuild project that runs buildspec.yaml from this repository on
# the gitterra server, and a webhook with the two filter groups of the seed. Apply it once,
# from your machine (`gitterra init && gitterra apply`); its state stays in this directory.
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

variable "repository" {
  description = "The repository on the git host (its name, or its clone URL)."
  type        = string
  default     = "@@NAME@@"
}

resource "aws_codebuild_project" "codebuild" {
  name          = var.project_name
  description   = "Plan and apply infra/ on every push to main; plan pull requests to main."
  build_timeout = 30
  service_role  = "gitterra"

  source {
    type                = "GITTERRA"
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
