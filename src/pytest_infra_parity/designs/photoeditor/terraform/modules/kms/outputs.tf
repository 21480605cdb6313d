output "key_arn" {
  description = "ARN of the key (what encrypted resources reference)."
  value       = aws_kms_key.this.arn
}

output "key_id" {
  value = aws_kms_key.this.key_id
}

output "alias_name" {
  value = aws_kms_alias.this.name
}
