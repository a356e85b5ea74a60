// Plivo phone numbers as code: adopt the numbers an account rents, bind each to an application and a subaccount, catch drift, manage applications.
package plivo
