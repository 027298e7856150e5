resource "aws_lb" "lb" {
  name            = "${var.project_name}-lb"
  security_groups = [aws_security_group.web.id]
  subnets         = data.aws_subnets.default.ids
}

resource "aws_lb_target_group" "web" {
  name     = "${var.project_name}-tg"
  port     = 80
  protocol = "HTTP"
  vpc_id   = data.aws_vpc.default.id

  # Seconds a deregistered instance keeps finishing its requests before it is stopped.
  deregistration_delay = 5

  # Quick checks on the local cloud, whose instances are processes; AWS checks every 5 s at
  # the most often.
  health_check {
    path                = "/"
    interval            = local.on_local_cloud ? 2 : 10
    timeout             = local.on_local_cloud ? 1 : 5
    healthy_threshold   = 2
    unhealthy_threshold = 2
  }
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.lb.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}
