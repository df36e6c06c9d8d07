CREATE TABLE `reported_subjects` (
	`kind` text NOT NULL,
	`type` text NOT NULL,
	`value` text NOT NULL,
	`organisation_id` integer NOT NULL,
	`items` integer NOT NULL,
	PRIMARY KEY(`kind`, `type`, `value`, `organisation_id`),
	FOREIGN KEY (`organisation_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `threat_input_item_recipients_user_idx` ON `threat_input_item_recipients` (`user_id`,`item_id`);