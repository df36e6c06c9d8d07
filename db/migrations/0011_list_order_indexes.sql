DROP INDEX `meetings_consultation_idx`;--> statement-breakpoint
CREATE INDEX `meetings_consultation_created_idx` ON `meetings` (`consultation_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `meetings_status_starts_idx` ON `meetings` (`status`,`starts_at`);--> statement-breakpoint
CREATE INDEX `meetings_status_created_idx` ON `meetings` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `consultations_created_idx` ON `consultations` (`created_at`);--> statement-breakpoint
CREATE INDEX `organisations_name_idx` ON `organisations` (`name`);--> statement-breakpoint
CREATE INDEX `outbox_troubled_idx` ON `outbox` (`created_at`) WHERE (case when "outbox"."status" = 'dead' then 1 when "outbox"."status" = 'pending' and "outbox"."attempts" > 0 then 1 else 0 end) = 1;--> statement-breakpoint
CREATE INDEX `threat_inputs_consultation_submitted_idx` ON `threat_inputs` (`consultation_id`,`submitted_at`,`id`);--> statement-breakpoint
CREATE INDEX `users_name_idx` ON `users` (`name`);