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
