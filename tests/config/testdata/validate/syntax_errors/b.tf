locals {
  s = "unterminated
}
