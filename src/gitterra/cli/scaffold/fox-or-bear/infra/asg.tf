# The local cloud's static-site image; on AWS (GITTERRA_TARGET=aws), the latest Amazon Linux 2023.
data "aws_ami" "site" {
  most_recent = true
  owners      = ["gitterra", "amazon"]

  filter {
    name   = "name"
    values = ["gitterra-static-site-*", "al2023-ami-2023.*-x86_64"]
  }
}

# A new site commit makes a new version of this template; the group then replaces its instances
# one by one (the instance refresh below), each new one serving before an old one drains.
resource "aws_launch_template" "web" {
  name_prefix            = "${var.project_name}-"
  image_id               = data.aws_ami.site.id
  instance_type          = "t2.micro"
  vpc_security_group_ids = [aws_security_group.web.id]
  update_default_version = true

  user_data = base64encode(templatefile("${path.module}/user-data.sh", {
    repository_url = var.repository_url
    git_sha        = var.git_sha
  }))
}

resource "aws_autoscaling_group" "web" {
  name = var.project_name

  min_size         = 1
  max_size         = 3
  desired_capacity = 1

  vpc_zone_identifier       = data.aws_subnets.default.ids
  target_group_arns         = [aws_lb_target_group.web.arn]
  health_check_type         = "ELB"
  health_check_grace_period = 60

  launch_template {
    id      = aws_launch_template.web.id
    version = aws_launch_template.web.latest_version
  }

  instance_refresh {
    strategy = "Rolling"
    preferences {
      min_healthy_percentage = 100
      max_healthy_percentage = 200
      instance_warmup        = 2
    }
  }
}
