# The pipeline as code: a CodeBuild project that runs buildspec.yaml from this repository on
# the gitterra server, a webhook with the two filter groups of the seed, and the IAM role the
# project's builds act as (on AWS; the local cloud records the role and policy, and does not
# enforce them). Apply it once, from your machine (`gitterra init && gitterra apply`); its
# state stays in this directory. `target = "aws"` (TF_VAR_target=aws) moves it to AWS
# CodeBuild: the provider's target, a GitHub source, an image with Python 3.11+, the whole git
# history, what builds need to install gitterra and reach the s3 state, and the role's access
# to that state follow from it and the variables below (see docs/aws.md).
#
# Pull requests: on a gitterra server their builds get a read-only token, so whatever their
# buildspec (which comes from the pull request) runs, it cannot change anything. AWS has no
# such token, so on AWS pull requests build in a second project, "<project_name>-pr", whose
# role can only read what planning infra/ reads; the first project's webhook keeps only pushes.
terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

provider "aws" {
  # Unset on the local cloud, so GITTERRA_TARGET still applies as in every module.
  target = var.target == "aws" ? "aws" : null
  region = var.region
}

variable "target" {
  description = "Where the pipeline runs: \"local\" (the gitterra server, the default) or \"aws\" (AWS CodeBuild)."
  type        = string
  default     = "local"

  validation {
    condition     = contains(["local", "aws"], var.target)
    error_message = "target must be \"local\" (gitterra's local cloud) or \"aws\"."
  }
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
  description = "GITTERRA (the gitterra server's git host; the local default); on AWS, GITHUB (the default there), GITLAB, BITBUCKET or CODECOMMIT."
  type        = string
  default     = null
}

variable "repository" {
  description = "The repository: on the git host its name or clone URL (the project's name by default); on AWS its HTTPS URL (required)."
  type        = string
  default     = null
}

# On AWS only: what builds need that a gitterra server gives them.

variable "gitterra_install" {
  description = "On AWS, the pip requirement builds install gitterra from when the image has none (GITTERRA_INSTALL), e.g. \"gitterra @ git+https://github.com/you/gitterra@v0.1.0\"."
  type        = string
  default     = null
}

variable "state_bucket" {
  description = "On AWS, the S3 bucket of infra/'s state (backend \"s3\"): builds init with it, and the role may use it."
  type        = string
  default     = null
}

variable "state_key" {
  description = "On AWS, the state's key in state_bucket; \"<project_name>/infra.tfstate\" by default."
  type        = string
  default     = null
}

variable "state_region" {
  description = "On AWS, state_bucket's region; var.region by default."
  type        = string
  default     = null
}

variable "state_lock_table" {
  description = "On AWS, a DynamoDB lock table (partition key LockID) to lock with besides the lock object."
  type        = string
  default     = null
}

variable "github_token" {
  description = "A GitHub token (repo and admin:repo_hook scopes) CodeBuild imports as the account's GITHUB source credential; leave it unset when the account has one."
  type        = string
  default     = null
  sensitive   = true
}

locals {
  on_aws       = var.target == "aws"
  source_type  = var.source_type != null ? var.source_type : (local.on_aws ? "GITHUB" : "GITTERRA")
  repository   = var.repository != null ? var.repository : (local.on_aws ? null : "@@NAME@@")
  state_key    = var.state_key != null ? var.state_key : "${var.project_name}/infra.tfstate"
  state_region = var.state_region != null ? var.state_region : var.region
  with_state   = local.on_aws && var.state_bucket != null
  with_lock    = local.with_state && var.state_lock_table != null
  state_bucket = "arn:aws:s3:::${coalesce(var.state_bucket, "-")}"
  state_object = "${local.state_bucket}/${local.state_key}"
  lock_table   = "arn:aws:dynamodb:${local.state_region}:*:table/${coalesce(var.state_lock_table, "-")}"
  # gitterra needs Python 3.11+: Amazon Linux 2023's image has it (the local cloud records the
  # image and runs builds in bash).
  image = "aws/codebuild/amazonlinux2-x86_64-standard:${local.on_aws ? "5.0" : "3.0"}"

  # Environment variables of every build (none on the local cloud, whose server gives builds
  # gitterra and the state); buildspec/pre-build.sh reads them.
  build_variables = merge(
    local.on_aws ? { GITTERRA_TARGET = "aws" } : {},
    local.on_aws && var.gitterra_install != null ? { GITTERRA_INSTALL = var.gitterra_install } : {},
    local.with_state ? {
      STATE_BUCKET = var.state_bucket
      STATE_KEY    = local.state_key
      STATE_REGION = local.state_region
    } : {},
    local.with_lock ? { STATE_LOCK_TABLE = var.state_lock_table } : {},
  )

  # The role's access to the state: the key and its lock object (use_lockfile), the bucket's
  # listing, and the lock table's items when there is one.
  state_statements = [
    for s in [
      {
        use      = local.with_state
        Action   = ["s3:ListBucket"]
        Resource = [local.state_bucket]
      },
      {
        use      = local.with_state
        Action   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
        Resource = [local.state_object, "${local.state_object}.tflock"]
      },
      {
        use      = local.with_lock
        Action   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]
        Resource = [local.lock_table]
      },
    ] : { Effect = "Allow", Action = s.Action, Resource = s.Resource } if s.use
  ]

  # The pull-request role's: what init and `plan -lock=false` read (the listing of workspaces,
  # the state, and the digest the lock table keeps of it), never a write of the state or a lock.
  state_read_statements = [
    for s in [
      { use = local.with_state, Action = ["s3:ListBucket"], Resource = [local.state_bucket] },
      { use = local.with_state, Action = ["s3:GetObject"], Resource = [local.state_object] },
      { use = local.with_lock, Action = ["dynamodb:GetItem"], Resource = [local.lock_table] },
    ] : { Effect = "Allow", Action = s.Action, Resource = s.Resource } if s.use
  ]

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "codebuild.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })

  # On AWS, pull requests build in a project of their own (count 1), the main project's
  # webhook keeps only pushes; on the local cloud, one project builds both.
  pr_count     = local.on_aws ? 1 : 0
  pr_project   = "${var.project_name}-pr"
  pr_log_group = "${local.pr_project}-log-group"
  pr_events    = "PULL_REQUEST_CREATED,PULL_REQUEST_UPDATED,PULL_REQUEST_REOPENED"
}

# The role builds act as: CodeBuild may assume it, and it may write the build's logs and manage
# what infra/ declares.
resource "aws_iam_role" "codebuild" {
  name               = "${var.project_name}-codebuild"
  assume_role_policy = local.assume_role_policy
}

resource "aws_iam_role_policy" "codebuild" {
  name = "${var.project_name}-codebuild"
  role = aws_iam_role.codebuild.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat([
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
    ], local.state_statements)
  })
}

# CodeBuild's access to GitHub (one per account and region): with a token, CodeBuild also makes
# the repository's webhook on GitHub itself. The token stays in this directory's state.
resource "aws_codebuild_source_credential" "github" {
  count = nonsensitive(var.github_token != null) ? 1 : 0

  auth_type   = "PERSONAL_ACCESS_TOKEN"
  server_type = "GITHUB"
  token       = var.github_token
}

resource "aws_codebuild_project" "codebuild" {
  # Builds need the role's permissions, not only the role; CodeBuild needs the credential to
  # reach the repository.
  depends_on = [aws_iam_role_policy.codebuild, aws_codebuild_source_credential.github]

  name          = var.project_name
  description   = local.on_aws ? "Plan and apply infra/ on every push to main." : "Plan and apply infra/ on every push to main; plan pull requests to main."
  build_timeout = 30
  service_role  = aws_iam_role.codebuild.arn

  source {
    type                = local.source_type
    location            = local.repository
    buildspec           = "buildspec.yaml"
    report_build_status = true
    # The whole history: build.sh finds the last commit that changed www/ (a gitterra server
    # clones it all anyway).
    git_clone_depth = local.on_aws ? 0 : null
  }

  source_version = "main"

  artifacts {
    type = "NO_ARTIFACTS"
  }

  environment {
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = local.image
    type         = "LINUX_CONTAINER"

    dynamic "environment_variable" {
      for_each = local.build_variables
      content {
        name  = environment_variable.key
        value = environment_variable.value
      }
    }
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

  # Pull requests: one group on the local cloud; none on AWS, where they build in the project
  # "<project_name>-pr" instead (below).
  dynamic "filter_group" {
    for_each = range(1 - local.pr_count)
    content {
      filter {
        type    = "EVENT"
        pattern = local.pr_events
      }

      filter {
        type    = "BASE_REF"
        pattern = "^refs/heads/main$"
      }
    }
  }
}

# On AWS only: pull requests to main build in a project of their own, as a role that can read
# what planning infra/ reads and write the build's logs, and nothing else. The buildspec comes
# from the pull request, so build.sh's "plan only" is its choice; this role is what makes an
# apply or destroy fail (IAM refuses the writes). Their builds get the same environment.
resource "aws_iam_role" "pull_requests" {
  count = local.pr_count

  name               = "${local.pr_project}-codebuild"
  assume_role_policy = local.assume_role_policy
}

resource "aws_iam_role_policy" "pull_requests" {
  count = local.pr_count

  name = "${local.pr_project}-codebuild"
  role = aws_iam_role.pull_requests[count.index].id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat([
      {
        Effect = "Allow"
        Action = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = [
          "arn:aws:logs:${var.region}:*:log-group:${local.pr_log_group}",
          "arn:aws:logs:${var.region}:*:log-group:${local.pr_log_group}:*",
        ]
      },
      {
        # What the aws provider's plan of infra/ reads: the data sources (images, the default
        # VPC and its subnets) and every resource's refresh.
        Effect   = "Allow"
        Action   = ["ec2:Describe*", "autoscaling:Describe*", "elasticloadbalancing:Describe*"]
        Resource = "*"
      },
    ], local.state_read_statements)
  })
}

# The same as the project above but for its name, role and logs (keep them in step; the tests
# check that both send CodeBuild the same source and environment).
resource "aws_codebuild_project" "pull_requests" {
  count      = local.pr_count
  depends_on = [aws_iam_role_policy.pull_requests, aws_codebuild_source_credential.github]

  name          = local.pr_project
  description   = "Plan infra/ for pull requests to main, as a role that can only read."
  build_timeout = 30
  service_role  = aws_iam_role.pull_requests[count.index].arn

  source {
    type                = local.source_type
    location            = local.repository
    buildspec           = "buildspec.yaml"
    report_build_status = true
    git_clone_depth     = 0
  }

  source_version = "main"

  artifacts {
    type = "NO_ARTIFACTS"
  }

  environment {
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = local.image
    type         = "LINUX_CONTAINER"

    dynamic "environment_variable" {
      for_each = local.build_variables
      content {
        name  = environment_variable.key
        value = environment_variable.value
      }
    }
  }

  logs_config {
    cloudwatch_logs {
      group_name  = local.pr_log_group
      stream_name = local.pr_project
    }
  }
}

resource "aws_codebuild_webhook" "pull_requests" {
  count = local.pr_count

  project_name = aws_codebuild_project.pull_requests[count.index].name

  filter_group {
    filter {
      type    = "EVENT"
      pattern = local.pr_events
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

# The project of pull requests' builds (on AWS; null on the local cloud, where "project"
# builds them too).
output "pull_request_project" {
  value = one(aws_codebuild_project.pull_requests[*].name)
}
