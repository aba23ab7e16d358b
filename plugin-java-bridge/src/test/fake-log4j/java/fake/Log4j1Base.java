package fake;

/** TEST CODE: VifDriverBase as 4.18 and 4.19 have it: no field 'logger' (log4j 1 is on the class path). */
public class Log4j1Base {
}
