CREATE TABLE `edition_releases` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`edition_id` integer NOT NULL,
	`audience` text NOT NULL,
	`agency_id` integer,
	`released_at` integer NOT NULL,
	`released_by_user_id` integer,
	FOREIGN KEY (`edition_id`) REFERENCES `assessment_editions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`agency_id`) REFERENCES `member_agencies`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`released_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `edition_releases_unique` ON `edition_releases` (`edition_id`,`audience`);--> statement-breakpoint
CREATE INDEX `edition_releases_audience_idx` ON `edition_releases` (`audience`,`released_at`);--> statement-breakpoint
CREATE TABLE `edition_stix_objects` (
	`edition_id` integer NOT NULL,
	`stix_id` text NOT NULL,
	`type` text NOT NULL,
	`created` integer NOT NULL,
	`modified` integer NOT NULL,
	`content_hash` text NOT NULL,
	`object` text NOT NULL,
	PRIMARY KEY(`edition_id`, `stix_id`),
	FOREIGN KEY (`edition_id`) REFERENCES `assessment_editions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `edition_stix_objects_id_idx` ON `edition_stix_objects` (`stix_id`,`modified`);--> statement-breakpoint
CREATE TABLE `member_agencies` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`country` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`created_by_user_id` integer,
	FOREIGN KEY (`created_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `member_agencies_name_unique` ON `member_agencies` (lower("name"));--> statement-breakpoint
CREATE TABLE `taxii_api_keys` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`agency_id` integer NOT NULL,
	`label` text NOT NULL,
	`prefix` text NOT NULL,
	`key_hash` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`created_by_user_id` integer,
	`last_used_at` integer,
	`revoked_at` integer,
	`revoked_by_user_id` integer,
	FOREIGN KEY (`agency_id`) REFERENCES `member_agencies`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`revoked_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `taxii_api_keys_key_hash_unique` ON `taxii_api_keys` (`key_hash`);--> statement-breakpoint
CREATE INDEX `taxii_api_keys_agency_idx` ON `taxii_api_keys` (`agency_id`);--> statement-breakpoint
CREATE TABLE `threat_input_item_entities` (
	`item_id` integer NOT NULL,
	`kind` text NOT NULL,
	`key` text NOT NULL,
	PRIMARY KEY(`item_id`, `kind`, `key`),
	FOREIGN KEY (`item_id`) REFERENCES `threat_input_items`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `threat_input_item_entities_key_idx` ON `threat_input_item_entities` (`kind`,`key`);--> statement-breakpoint
ALTER TABLE `threat_input_indicators` ADD `warnings` text;--> statement-breakpoint
ALTER TABLE `threat_input_indicators` ADD `warnings_checked_at` integer;--> statement-breakpoint
ALTER TABLE `threat_input_indicators` ADD `keep_note` text;--> statement-breakpoint
ALTER TABLE `threat_input_indicators` ADD `cleared_at` integer;--> statement-breakpoint
ALTER TABLE `threat_input_indicators` ADD `cleared_by_user_id` integer REFERENCES users(id);--> statement-breakpoint
ALTER TABLE `threat_input_indicators` ADD `clear_reason` text;--> statement-breakpoint
CREATE INDEX `threat_input_indicators_unchecked_idx` ON `threat_input_indicators` (`id`) WHERE "threat_input_indicators"."warnings_checked_at" is null;