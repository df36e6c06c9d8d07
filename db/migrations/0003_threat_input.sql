CREATE TABLE `threat_input_indicators` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`item_id` integer NOT NULL,
	`type` text NOT NULL,
	`value` text NOT NULL,
	`comment` text,
	FOREIGN KEY (`item_id`) REFERENCES `threat_input_items`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `threat_input_indicators_unique` ON `threat_input_indicators` (`item_id`,`type`,`value`);--> statement-breakpoint
CREATE INDEX `threat_input_indicators_value_idx` ON `threat_input_indicators` (`type`,`value`);--> statement-breakpoint
CREATE TABLE `threat_input_item_recipients` (
	`item_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	PRIMARY KEY(`item_id`, `user_id`),
	FOREIGN KEY (`item_id`) REFERENCES `threat_input_items`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `threat_input_items` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`version_id` integer NOT NULL,
	`position` integer NOT NULL,
	`crime_area` text NOT NULL,
	`title` text NOT NULL,
	`observed_from` text NOT NULL,
	`observed_to` text,
	`trend` text NOT NULL,
	`impact` integer NOT NULL,
	`likelihood` integer NOT NULL,
	`sectors` text NOT NULL,
	`countries` text NOT NULL,
	`actors` text NOT NULL,
	`malware` text NOT NULL,
	`techniques` text NOT NULL,
	`source_reliability` text NOT NULL,
	`information_credibility` text NOT NULL,
	`tlp` text NOT NULL,
	`share_onward` integer NOT NULL,
	`attribution` text NOT NULL,
	`narrative` text NOT NULL,
	`recommended_actions` text NOT NULL,
	`graded_source_reliability` text,
	`graded_information_credibility` text,
	`grade_note` text,
	`graded_by_user_id` integer,
	`graded_at` integer,
	FOREIGN KEY (`version_id`) REFERENCES `threat_input_versions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`graded_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `threat_input_items_version_idx` ON `threat_input_items` (`version_id`);--> statement-breakpoint
CREATE INDEX `threat_input_items_area_idx` ON `threat_input_items` (`crime_area`);--> statement-breakpoint
CREATE TABLE `threat_input_messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`input_id` integer NOT NULL,
	`author_user_id` integer,
	`from_taskforce` integer NOT NULL,
	`body` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`input_id`) REFERENCES `threat_inputs`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`author_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `threat_input_messages_input_idx` ON `threat_input_messages` (`input_id`);--> statement-breakpoint
CREATE TABLE `threat_input_versions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`input_id` integer NOT NULL,
	`number` integer NOT NULL,
	`submitted_by_user_id` integer,
	`submitted_at` integer NOT NULL,
	`idempotency_key` text NOT NULL,
	`content_hash` text NOT NULL,
	FOREIGN KEY (`input_id`) REFERENCES `threat_inputs`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`submitted_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `threat_input_versions_number_unique` ON `threat_input_versions` (`input_id`,`number`);--> statement-breakpoint
CREATE UNIQUE INDEX `threat_input_versions_key_unique` ON `threat_input_versions` (`input_id`,`idempotency_key`);--> statement-breakpoint
CREATE TABLE `threat_inputs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`consultation_id` integer NOT NULL,
	`organisation_id` integer NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`triage_state` text DEFAULT 'new' NOT NULL,
	`triage_reason` text,
	`triaged_by_user_id` integer,
	`triaged_at` integer,
	`draft` text,
	`draft_saved_at` integer,
	`draft_saved_by_user_id` integer,
	`current_version` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer,
	`submitted_at` integer,
	`withdrawn_at` integer,
	FOREIGN KEY (`consultation_id`) REFERENCES `consultations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`organisation_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`triaged_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`draft_saved_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `threat_inputs_consultation_organisation_unique` ON `threat_inputs` (`consultation_id`,`organisation_id`);--> statement-breakpoint
CREATE INDEX `threat_inputs_triage_idx` ON `threat_inputs` (`status`,`triage_state`);--> statement-breakpoint
ALTER TABLE `organisations` ADD `usual_source_reliability` text;