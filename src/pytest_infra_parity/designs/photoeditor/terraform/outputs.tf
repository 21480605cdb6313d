# Stage outputs, exported to the environment registry (ADR 0008, principle 3); same names as the
# CloudFormation outputs of the SST-style template.

output "api_endpoint" {
  value = aws_apigatewayv2_api.http.api_endpoint
}

output "kms_key_arn" {
  value = module.kms.key_arn
}

output "kms_key_alias" {
  value = module.kms.alias_name
}

output "temp_bucket_name" {
  value = module.temp_bucket.bucket_name
}

output "final_bucket_name" {
  value = module.final_bucket.bucket_name
}

output "jobs_table_name" {
  value = module.jobs_table.table_name
}

output "jobs_table_stream_arn" {
  value = module.jobs_table.stream_arn
}

output "batch_table_name" {
  value = module.batch_table.table_name
}

output "device_tokens_table_name" {
  value = module.device_tokens_table.table_name
}

output "processing_queue_url" {
  value = module.processing.queue_url
}

output "processing_dead_letter_queue_url" {
  value = module.processing.dlq_url
}

output "notifications_topic_arn" {
  value = module.notifications.topic_arn
}

output "alarms_topic_arn" {
  value = module.alarms_topic.topic_arn
}
