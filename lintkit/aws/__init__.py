"""Checks for AWS CI/CD definitions: buildspec, appspec, CodePipeline,
CloudFormation/SAM resources (CodeBuild, CodeDeploy, CodeArtifact), secrets."""
