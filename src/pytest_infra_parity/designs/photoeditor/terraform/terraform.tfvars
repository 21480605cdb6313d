# dev stage (workspace "dev"); staging and prod have their own tfvars in the environment registry.
project            = "photoeditor"
stage              = "dev"
owner              = "photoeditor-platform"
cost_center        = "photoeditor"
region             = "us-east-1"
account_id         = "123456789012"
log_retention_days = 14
