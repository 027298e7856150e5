output "url" {
  description = "The site, through the load balancer."
  value       = aws_lb_listener.http.gitterra_url
}

output "project_name" {
  value = var.project_name
}
