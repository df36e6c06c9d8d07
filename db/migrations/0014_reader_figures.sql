CREATE TABLE `assessment_edition_reader_figures` (
	`edition_id` integer NOT NULL,
	`reader_user_id` integer NOT NULL,
	`items` integer NOT NULL,
	`handling_mark` text NOT NULL,
	`areas` text NOT NULL,
	`entities` text NOT NULL,
	PRIMARY KEY(`edition_id`, `reader_user_id`),
	FOREIGN KEY (`edition_id`) REFERENCES `assessment_editions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`reader_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
