DROP INDEX `threat_inputs_triage_idx`;--> statement-breakpoint
CREATE INDEX `threat_inputs_triage_idx` ON `threat_inputs` (`status`,`triage_state`,`current_version`);