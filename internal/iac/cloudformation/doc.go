// Package cloudformation reads CloudFormation templates (JSON, or YAML
// with the short-form tags !Ref, !Sub, !GetAtt, ...) into the change they
// make to an account: an inventory.Change of keys, aliases, replica keys,
// roles, users, groups, their policies and memberships, managed policies
// and buckets with their encryption and policies.
//
// It evaluates what a template determines before deployment: parameters
// (given or their Default), pseudo parameters (AWS::AccountId, AWS::Region,
// AWS::Partition, AWS::URLSuffix from the options), Mappings, Conditions
// and the intrinsic functions. What CloudFormation generates at deployment
// (a role name the template does not give, a key ID) becomes a placeholder
// (inventory.PlannedCloudFormation): arn:aws:iam::111122223333:role/
// {{cfn:AppRole}}. What the template does not determine at all (an SSM
// parameter, an export of a stack not read, a condition on those) makes
// what depends on it incomplete, never guessed.
//
// Every error names the file, the line, the column and the template path
// (Resources.AppRole.Properties.Policies[0].PolicyDocument); hostile input
// (unknown tags, cycles of Ref, Fn::ImportValue or Condition, deep nesting,
// YAML alias bombs, huge files) gives such an error, never a hang.
//
// The package reads; it never evaluates access (it does not import the
// engine).
package cloudformation
