moved {
  from = a.b
  to   = a.c
}

resources "aws_lb" "x" {}
