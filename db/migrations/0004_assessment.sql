CREATE TABLE `assessment_edition_consultations` (
	`edition_id` integer NOT NULL,
	`consultation_id` integer NOT NULL,
	PRIMARY KEY(`edition_id`, `consultation_id`),
	FOREIGN KEY (`edition_id`) REFERENCES `assessment_editions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`consultation_id`) REFERENCES `consultations`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE TABLE `assessment_editions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`title` text NOT NULL,
	`period_from` text NOT NULL,
	`period_to` text NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`created_by_user_id` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer,
	`published_at` integer,
	`published_by_user_id` integer,
	`snapshot` text,
	FOREIGN KEY (`created_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`published_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE TABLE `assessment_overrides` (
	`edition_id` integer NOT NULL,
	`crime_area` text NOT NULL,
	`score` real,
	`trend` text,
	`reason` text NOT NULL,
	`by_user_id` integer,
	`at` integer NOT NULL,
	PRIMARY KEY(`edition_id`, `crime_area`),
	FOREIGN KEY (`edition_id`) REFERENCES `assessment_editions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE TABLE `entity_merges` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`from_name` text NOT NULL,
	`into_name` text NOT NULL,
	`by_user_id` integer,
	`at` integer NOT NULL,
	FOREIGN KEY (`by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `entity_merges_from_unique` ON `entity_merges` (`kind`,lower("from_name"));--> statement-breakpoint
CREATE TABLE `target_evidence` (
	`proposal_id` integer NOT NULL,
	`item_id` integer NOT NULL,
	PRIMARY KEY(`proposal_id`, `item_id`),
	FOREIGN KEY (`proposal_id`) REFERENCES `target_proposals`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`item_id`) REFERENCES `threat_input_items`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE TABLE `target_proposals` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`edition_id` integer NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`rationale` text NOT NULL,
	`state` text DEFAULT 'proposed' NOT NULL,
	`proposed_by_user_id` integer,
	`proposed_at` integer NOT NULL,
	`decided_by_user_id` integer,
	`decided_at` integer,
	`decision_note` text,
	FOREIGN KEY (`edition_id`) REFERENCES `assessment_editions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`proposed_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`decided_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `target_proposals_edition_idx` ON `target_proposals` (`edition_id`);