CREATE TABLE `mail_workers` (
	`id` text PRIMARY KEY NOT NULL,
	`machine` text NOT NULL,
	`pid` integer NOT NULL,
	`started_at` integer NOT NULL,
	`heartbeat_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `outbox_lease_owner_idx` ON `outbox` (`lease_owner`);