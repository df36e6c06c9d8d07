CREATE TABLE `assessment_edition_figures` (
	`edition_id` integer NOT NULL,
	`audience` text NOT NULL,
	`items` integer NOT NULL,
	`handling_mark` text NOT NULL,
	`areas` text NOT NULL,
	`entities` text NOT NULL,
	PRIMARY KEY(`edition_id`, `audience`),
	FOREIGN KEY (`edition_id`) REFERENCES `assessment_editions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `threat_input_items_tlp_idx` ON `threat_input_items` (`tlp`);--> statement-breakpoint
CREATE INDEX `threat_inputs_submitted_idx` ON `threat_inputs` (`submitted_at`,`id`);--> statement-breakpoint
CREATE INDEX `threat_inputs_organisation_idx` ON `threat_inputs` (`organisation_id`);