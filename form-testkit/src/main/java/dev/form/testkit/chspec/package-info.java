/**
 * Cloud Hypervisor's official OpenAPI spec as a validator of request bodies: the spec's component
 * schemas read as JSON Schema draft 4, and its known gaps against the real server (api-notes §4)
 * adjusted one by one, each named in {@link dev.form.testkit.chspec.SpecGap}.
 */
package dev.form.testkit.chspec;
