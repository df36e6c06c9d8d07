CREATE TABLE `idempotent_requests` (
	`user_id` integer NOT NULL,
	`form` text NOT NULL,
	`key` text NOT NULL,
	`content_hash` text NOT NULL,
	`location` text NOT NULL,
	`status` integer NOT NULL,
	`message` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`user_id`, `form`, `key`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `idempotent_requests_created_idx` ON `idempotent_requests` (`created_at`);--> statement-breakpoint
DROP INDEX `threat_input_versions_key_unique`;--> statement-breakpoint
ALTER TABLE `threat_input_versions` DROP COLUMN `idempotency_key`;--> statement-breakpoint
ALTER TABLE `threat_input_versions` DROP COLUMN `content_hash`;--> statement-breakpoint
ALTER TABLE `sessions` ADD `flash` text;