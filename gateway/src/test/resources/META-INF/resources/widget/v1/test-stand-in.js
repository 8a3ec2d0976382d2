/* test stand-in for the widget jar's file */
